console.log(2)
//# sourceMappingURL=shared.map
