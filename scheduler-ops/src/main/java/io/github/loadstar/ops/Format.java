package io.github.loadstar.ops;

/** How a command prints: a table or text for people, JSON for programs. */
enum Format {
    text, json
}
