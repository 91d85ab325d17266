
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="5ea2cae1-9f5a-5b32-ba7b-f9ff31b81641")}catch(e){}}();
foo();

bar();

//# debugId=5ea2cae1-9f5a-5b32-ba7b-f9ff31b81641
