import{a as o,b as r}from"./chunk-TGYKRAZ2.js";console.log(r("world"),o(1,2));var l=()=>import("./lazy-QAA7HTAT.js").then(t=>t.run());export{l as later};
//# sourceMappingURL=main.js.map
