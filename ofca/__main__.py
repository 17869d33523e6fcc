from ofca.cli import main

main()
