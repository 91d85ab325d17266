//# sourceMappingURL=one.map
a();
b();
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="349549a9-afc4-56a7-919b-d8af2deeb079")}catch(e){}}();
//@ sourceMappingURL=two.map
//# debugId=349549a9-afc4-56a7-919b-d8af2deeb079
