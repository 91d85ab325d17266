import{a as r}from"./chunk-TGYKRAZ2.js";function o(){return r(40,2)}export{o as run};
//# sourceMappingURL=lazy-QAA7HTAT.js.map
