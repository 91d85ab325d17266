"use strict";
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="d40bd2b6-fb23-5e1a-938e-568e2e743bdb")}catch(e){}}();

foo();
//# debugId=d40bd2b6-fb23-5e1a-938e-568e2e743bdb
