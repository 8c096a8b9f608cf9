x = "${a} %{for x in y}${x}%{else}"
