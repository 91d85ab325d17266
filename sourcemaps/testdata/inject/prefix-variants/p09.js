//cfoo();

!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="84696e90-1af9-5bae-aea5-951520f5c5dd")}catch(e){}}();
bar();
//# debugId=84696e90-1af9-5bae-aea5-951520f5c5dd
