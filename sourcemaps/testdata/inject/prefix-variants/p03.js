#!/x

!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="b5ade9c7-fad2-55be-8623-7e4ea5c797b7")}catch(e){}}();
foo();
//# debugId=b5ade9c7-fad2-55be-8623-7e4ea5c797b7
