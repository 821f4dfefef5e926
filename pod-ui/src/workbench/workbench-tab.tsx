export default function WorkbenchTab() {
  return <p>todo</p>;
}
