function t(n){let e=document.createElement("p");return e.className="banner",e.textContent=n,e}async function c(n,e){n.append(t("Welcome back"));let{mountCheckout:r}=await import("./chunks/checkout-X2ZTYCVR.js");r(n,e)}export{c as start};
//# sourceMappingURL=main-HTKICKTS.js.map
