console.log(22)
//# sourceMappingURL=b.js.map
