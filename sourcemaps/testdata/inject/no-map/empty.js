!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="da39a3ee-5e6b-5b0d-b255-bfef95601890")}catch(e){}}();
//# debugId=da39a3ee-5e6b-5b0d-b255-bfef95601890
