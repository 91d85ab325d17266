var e=class{#s=new Map;on(s,t){let o=this.#s.get(s)??[];return o.push(t),this.#s.set(s,o),()=>this.off(s,t)}off(s,t){let o=this.#s.get(s)??[];this.#s.set(s,o.filter(i=>i!==t))}emit(s,...t){for(let o of this.#s.get(s)??[])o(...t);return this}},h=new e;export{h as a};
//# sourceMappingURL=chunk-ISULFJFW.js.map
