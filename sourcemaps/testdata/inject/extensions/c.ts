not touched
