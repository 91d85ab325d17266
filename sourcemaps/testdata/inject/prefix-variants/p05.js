#!/xfoo();
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="1f0f2876-2fae-5f0c-870a-2c9b1c6cc993")}catch(e){}}();
bar()
//# debugId=1f0f2876-2fae-5f0c-870a-2c9b1c6cc993
