
fruit = "chocolate" // is that even a fruit !?
