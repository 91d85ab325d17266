
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="b0242606-ff70-57bd-98bd-2f04986d755f")}catch(e){}}();
foo();
//# sourceMappingURL=a.js.map

//# debugId=b0242606-ff70-57bd-98bd-2f04986d755f
