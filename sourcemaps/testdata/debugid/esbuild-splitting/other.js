import{b as o}from"./chunk-TGYKRAZ2.js";console.log(o("other"));
//# sourceMappingURL=other.js.map
