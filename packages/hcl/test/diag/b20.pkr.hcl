block "lab"
{
}
