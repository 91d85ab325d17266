'use strict';
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="40197a13-0a61-5e8d-b0e9-7daf9ede85ff")}catch(e){}}();

foo();
bar();
//# sourceMappingURL=a.js.map

//# debugId=40197a13-0a61-5e8d-b0e9-7daf9ede85ff
