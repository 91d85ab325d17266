console.log("k");
//# sourceMappingURL=data:application/json;base64,e30*
