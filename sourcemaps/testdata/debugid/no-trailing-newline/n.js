console.log(1)
//# sourceMappingURL=n.js.map