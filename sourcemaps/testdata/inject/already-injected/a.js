foo();
//# debugId=a0242606-ff70-57bd-98bd-2f04986d755f
//# sourceMappingURL=a.js.map
