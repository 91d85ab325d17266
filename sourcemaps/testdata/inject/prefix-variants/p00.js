
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="0585664a-ac79-52a8-9ff9-2429b56f98f6")}catch(e){}}();

//# debugId=0585664a-ac79-52a8-9ff9-2429b56f98f6
