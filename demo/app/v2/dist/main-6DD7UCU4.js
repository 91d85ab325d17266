function t(n){let e=document.createElement("p");return e.className="banner",e.textContent=n,e}async function c(n,e){n.append(t("Welcome back"));let{mountCheckout:r}=await import("./chunks/checkout-C7P7B475.js");r(n,e)}export{c as start};
//# sourceMappingURL=main-6DD7UCU4.js.map
