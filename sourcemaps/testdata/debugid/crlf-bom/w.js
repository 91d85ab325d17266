console.log(1);
//# sourceMappingURL=w.js.map
