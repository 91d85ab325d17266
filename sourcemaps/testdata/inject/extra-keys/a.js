
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="603ddf23-75f2-5199-b747-1542f4a78661")}catch(e){}}();
foo();
//# sourceMappingURL=a.js.map

//# debugId=603ddf23-75f2-5199-b747-1542f4a78661
