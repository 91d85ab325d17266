
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="f292ee44-97c4-57ff-a88e-395196e31d90")}catch(e){}}();
foo();bar();
baz();
//# sourceMappingURL=a.js.map

//# debugId=f292ee44-97c4-57ff-a88e-395196e31d90
