
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="267f5a1a-3383-5bc6-afd2-6c353d3fa02b")}catch(e){}}();
"a\"b";x
//# debugId=267f5a1a-3383-5bc6-afd2-6c353d3fa02b
