var a=["\u2581","\u2582","\u2583","\u2584","\u2585","\u2586","\u2587","\u2588"],h=o=>{let t=Math.min(...o),n=Math.max(...o)-t||1;return o.map(r=>a[Math.round((r-t)/n*(a.length-1))]).join("")},s=class{constructor(t,n){let r=Math.max(...t);this.counts=Array.from({length:n},()=>0);for(let c of t)this.counts[Math.min(n-1,Math.floor(c/(r||1)*n))]++}toString(){return this.counts.map((t,n)=>`bucket ${n}: ${"\u{1F7E6}".repeat(t)}`).join(`
`)}};export{s as Histogram,h as sparkline};
//# sourceMappingURL=chart-34W43U4F.js.map
