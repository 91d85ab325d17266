/* c */ 
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="b443590d-04b5-5cf4-9a4c-3925fbcc73e6")}catch(e){}}();
foo();
//# debugId=b443590d-04b5-5cf4-9a4c-3925fbcc73e6
