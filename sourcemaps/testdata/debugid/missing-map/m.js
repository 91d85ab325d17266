console.log("m")
//# sourceMappingURL=gone.js.map
