console.log(1)
//# sourceMappingURL=a.js.map
//# debugId=11111111-2222-5333-8444-555555555555
