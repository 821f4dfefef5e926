export default function AdminTab() {
  return <p>todo</p>;
}
