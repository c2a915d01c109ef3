"""Model sizes: encoder architectures without weights and parameter counts (Table I), of built models
and of every model a configuration defines."""
