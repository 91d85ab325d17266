function n(t){return(t/100).toFixed(2)}function r(t){return n(t.total)}function i(t){return t?.items.length??0}function f(t,o){let e=document.createElement("section");e.className="checkout",e.textContent=`${i(o)} items, total ${r(o)}`,t.append(e)}export{f as mountCheckout};
//# sourceMappingURL=checkout-C7P7B475.js.map
