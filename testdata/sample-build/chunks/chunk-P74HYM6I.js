var s=class extends Error{constructor(n,i,e){super(`invalid ${n} ${JSON.stringify(i)}: ${e}`),this.name="ValidationError",this.field=n,this.value=i}};function a(t,n){throw new Error(t,{cause:n})}function c(t){return t instanceof s?`\u26A0\uFE0F ${t.field}: ${t.message}`:`\u{1F4A5} ${t?.name??"Error"}: ${t?.message??String(t)}`}export{s as a,a as b,c};
//# sourceMappingURL=chunk-P74HYM6I.js.map
