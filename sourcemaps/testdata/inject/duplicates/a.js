/*a*/
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="ddea5026-af9a-57ef-ba2a-2e54829265b1")}catch(e){}}();
foo();
bar();
//# sourceMappingURL=a.js.map

//# debugId=ddea5026-af9a-57ef-ba2a-2e54829265b1
