function t(e,r){return e+r}function n(e){return"hello "+e}export{t as a,n as b};
//# sourceMappingURL=chunk-TGYKRAZ2.js.map
