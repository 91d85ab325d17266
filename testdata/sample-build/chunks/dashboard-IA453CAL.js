import{a as p,b as i}from"./chunk-2RERKTUL.js";import{a as n}from"./chunk-PUL7TKXJ.js";import{a as t,b as r,c as m}from"./chunk-SPP5L3PF.js";import"./chunk-P74HYM6I.js";async function b({user:a}){let e=["\u20AC4.50","\u20AC12,99","\u20AC0.75"].map(o=>p.parse(o)),s=e.map((o,f)=>`${t(`item ${f+1}`)}${o}`);return[n("welcome",{name:a.\u540D\u524D}),r(a),...s,`${t("total")}${i(e)}`,`tags: ${m(["na\xEFve","jalape\xF1o","\u5BFF\u53F8"])}`].join(`
`)}export{b as render};
//# sourceMappingURL=dashboard-IA453CAL.js.map
