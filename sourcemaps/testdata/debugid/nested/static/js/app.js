console.log("n")
//# sourceMappingURL=../maps/app.js.map
