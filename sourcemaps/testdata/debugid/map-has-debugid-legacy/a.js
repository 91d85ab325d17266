console.log(1)
//# sourceMappingURL=a.js.map
