x = "$${a} %%{b} ${"nested ${c}"}"
 z = "a\
"