/*😀*/ 
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="09a2f5e1-279a-5add-8b9e-c3c5403ccea9")}catch(e){}}();
foo();bar();
//# sourceMappingURL=a.js.map

//# debugId=09a2f5e1-279a-5add-8b9e-c3c5403ccea9
