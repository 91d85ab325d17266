import{a as e,b as m}from"./chunks/chunk-2RERKTUL.js";import{b as r,d as o}from"./chunks/chunk-SPP5L3PF.js";import{a as t}from"./chunks/chunk-P74HYM6I.js";export{e as Money,t as ValidationError,o as formatDuration,r as formatGreeting,m as sum};
//# sourceMappingURL=api-WN75KXDB.js.map
