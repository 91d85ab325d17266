/* c */ 
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="6e0218c5-f7b5-5733-b620-f16cd14cba70")}catch(e){}}();
foo();
bar();
//# sourceMappingURL=a.js.map

//# debugId=6e0218c5-f7b5-5733-b620-f16cd14cba70
