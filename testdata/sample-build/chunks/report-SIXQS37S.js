import{d as o}from"./chunk-SPP5L3PF.js";import{b as t}from"./chunk-P74HYM6I.js";async function s({timings:r,crash:n=!1}){let{sparkline:a,Histogram:e}=await import("./chart-34W43U4F.js");n&&t("report crashed on purpose",{timings:r});let i=new e(r,4);return[`durations: ${r.map(o).join(", ")}`,`trend: ${a(r)}`,i.toString()].join(`
`)}export{s as render};
//# sourceMappingURL=report-SIXQS37S.js.map
