module chartrender

go 1.19
