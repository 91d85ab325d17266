console.log(1)
//# sourceMappingURL=shared.map
