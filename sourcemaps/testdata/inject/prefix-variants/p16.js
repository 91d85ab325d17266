"use strict";
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="7c33df70-1471-59de-8d84-8086924abacd")}catch(e){}}();
foo();
//# debugId=7c33df70-1471-59de-8d84-8086924abacd
