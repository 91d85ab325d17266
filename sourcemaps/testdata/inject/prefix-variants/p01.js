
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="e3ab222c-6c14-5dd4-ad05-399483a7c037")}catch(e){}}();
foo();
//# debugId=e3ab222c-6c14-5dd4-ad05-399483a7c037
