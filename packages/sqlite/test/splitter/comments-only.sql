-- only a comment; with a semicolon
/* and a block; comment */
