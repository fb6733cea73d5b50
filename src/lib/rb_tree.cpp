// The key-independent half of RbTree: rotations, insert and erase rebalancing (CLRS 3rd ed. §13.2-13.4, with
// null children in place of the book's shared nil node), in-order stepping and the structural self-check.
// Compiled once for every tree, whatever its element type.
#include "lib/rb_tree.hpp"

void RbTreeCore::link(RbTreeNode& node, RbTreeNode* parent, RbTreeNode** link)
{
    node.m_parent = parent;
    node.m_left = nullptr;
    node.m_right = nullptr;
    node.m_red = true;
    *link = &node;
    ++m_size;
    insert_fixup(&node);
}

// Replaces `node` by its right child, which must exist; the in-order sequence is unchanged.
void RbTreeCore::rotate_left(RbTreeNode& node)
{
    RbTreeNode* child = node.m_right;
    node.m_right = child->m_left;
    if (child->m_left)
        child->m_left->m_parent = &node;
    transplant(node, child);
    child->m_left = &node;
    node.m_parent = child;
}

void RbTreeCore::rotate_right(RbTreeNode& node)
{
    RbTreeNode* child = node.m_left;
    node.m_left = child->m_right;
    if (child->m_right)
        child->m_right->m_parent = &node;
    transplant(node, child);
    child->m_right = &node;
    node.m_parent = child;
}

// Puts `new_node` (possibly null) where `old_node` hangs from its parent. The root hangs from the header's left
// pointer, so it needs no case of its own.
void RbTreeCore::transplant(RbTreeNode& old_node, RbTreeNode* new_node)
{
    RbTreeNode* parent = old_node.m_parent;
    if (parent->m_left == &old_node)
        parent->m_left = new_node;
    else
        parent->m_right = new_node;
    if (new_node)
        new_node->m_parent = parent;
}

// CLRS RB-INSERT-FIXUP. `node` is red; the only possible violation is a red parent. The header is black, so
// the loop stops below it, and a red parent is never the root, so the grandparent is a real node.
void RbTreeCore::insert_fixup(RbTreeNode* node)
{
    while (node->m_parent->m_red) {
        RbTreeNode* parent = node->m_parent;
        RbTreeNode* grandparent = parent->m_parent;
        if (parent == grandparent->m_left) {
            RbTreeNode* uncle = grandparent->m_right;
            if (is_red(uncle)) {
                // Push the grandparent's blackness down one level and carry on from it.
                parent->m_red = false;
                uncle->m_red = false;
                grandparent->m_red = true;
                node = grandparent;
                continue;
            }
            if (node == parent->m_right) {
                // Turn the inner grandchild into an outer one.
                rotate_left(*parent);
                node = parent;
                parent = node->m_parent;
            }
            parent->m_red = false;
            grandparent->m_red = true;
            rotate_right(*grandparent);
        } else {
            RbTreeNode* uncle = grandparent->m_left;
            if (is_red(uncle)) {
                parent->m_red = false;
                uncle->m_red = false;
                grandparent->m_red = true;
                node = grandparent;
                continue;
            }
            if (node == parent->m_left) {
                rotate_right(*parent);
                node = parent;
                parent = node->m_parent;
            }
            parent->m_red = false;
            grandparent->m_red = true;
            rotate_left(*grandparent);
        }
    }
    root()->m_red = false;
}

// CLRS RB-DELETE. The successor of a node with two children is moved into its place (rather than swapping
// element contents), so no other element changes position and an iterator's saved next node stays valid.
void RbTreeCore::erase(RbTreeNode& node)
{
    bool removed_red = node.m_red;
    // `child` takes the place of the node that really leaves its position; `child_parent` is its new parent,
    // kept apart because `child` may be null.
    RbTreeNode* child;
    RbTreeNode* child_parent;
    if (!node.m_left) {
        child = node.m_right;
        child_parent = node.m_parent;
        transplant(node, child);
    } else if (!node.m_right) {
        child = node.m_left;
        child_parent = node.m_parent;
        transplant(node, child);
    } else {
        RbTreeNode* successor = node.m_right;
        while (successor->m_left)
            successor = successor->m_left;
        removed_red = successor->m_red;
        child = successor->m_right;
        if (successor->m_parent == &node) {
            child_parent = successor;
        } else {
            child_parent = successor->m_parent;
            transplant(*successor, child);
            successor->m_right = node.m_right;
            successor->m_right->m_parent = successor;
        }
        transplant(node, successor);
        successor->m_left = node.m_left;
        successor->m_left->m_parent = successor;
        successor->m_red = node.m_red;
    }
    if (!removed_red)
        erase_fixup(child, child_parent);
    node.m_parent = nullptr;
    node.m_left = nullptr;
    node.m_right = nullptr;
    node.m_red = false;
    --m_size;
}

// CLRS RB-DELETE-FIXUP. `node` (possibly null) carries an extra black. Its sibling cannot be null: the
// sibling's side had the black height the removed black node gave this side, which is at least one.
void RbTreeCore::erase_fixup(RbTreeNode* node, RbTreeNode* parent)
{
    while (node != root() && !is_red(node)) {
        if (node == parent->m_left) {
            RbTreeNode* sibling = parent->m_right;
            if (sibling->m_red) {
                // Make the sibling black so that one of the cases below applies.
                sibling->m_red = false;
                parent->m_red = true;
                rotate_left(*parent);
                sibling = parent->m_right;
            }
            if (!is_red(sibling->m_left) && !is_red(sibling->m_right)) {
                // Take a black from both sides and pass the extra black up.
                sibling->m_red = true;
                node = parent;
                parent = node->m_parent;
                continue;
            }
            if (!is_red(sibling->m_right)) {
                sibling->m_left->m_red = false;
                sibling->m_red = true;
                rotate_right(*sibling);
                sibling = parent->m_right;
            }
            sibling->m_red = parent->m_red;
            parent->m_red = false;
            sibling->m_right->m_red = false;
            rotate_left(*parent);
            node = root();
        } else {
            RbTreeNode* sibling = parent->m_left;
            if (sibling->m_red) {
                sibling->m_red = false;
                parent->m_red = true;
                rotate_right(*parent);
                sibling = parent->m_left;
            }
            if (!is_red(sibling->m_left) && !is_red(sibling->m_right)) {
                sibling->m_red = true;
                node = parent;
                parent = node->m_parent;
                continue;
            }
            if (!is_red(sibling->m_left)) {
                sibling->m_right->m_red = false;
                sibling->m_red = true;
                rotate_left(*sibling);
                sibling = parent->m_left;
            }
            sibling->m_red = parent->m_red;
            parent->m_red = false;
            sibling->m_left->m_red = false;
            rotate_right(*parent);
            node = root();
        }
    }
    if (node)
        node->m_red = false;
}

RbTreeNode* RbTreeCore::first() const
{
    RbTreeNode* node = root();
    while (node && node->m_left)
        node = node->m_left;
    return node;
}

RbTreeNode* RbTreeCore::last() const
{
    RbTreeNode* node = root();
    while (node && node->m_right)
        node = node->m_right;
    return node;
}

// Down to the leftmost node on the right, or up to the first ancestor reached from its left. Climbing stops at
// the header, the only node without a parent: past the last node.
RbTreeNode* RbTreeCore::next(const RbTreeNode& from)
{
    if (from.m_right) {
        RbTreeNode* node = from.m_right;
        while (node->m_left)
            node = node->m_left;
        return node;
    }
    const RbTreeNode* node = &from;
    RbTreeNode* parent = node->m_parent;
    while (parent->m_parent && node == parent->m_right) {
        node = parent;
        parent = parent->m_parent;
    }
    return parent->m_parent ? parent : nullptr;
}

RbTreeNode* RbTreeCore::prev(const RbTreeNode& from)
{
    if (from.m_left) {
        RbTreeNode* node = from.m_left;
        while (node->m_right)
            node = node->m_right;
        return node;
    }
    const RbTreeNode* node = &from;
    RbTreeNode* parent = node->m_parent;
    while (parent->m_parent && node == parent->m_left) {
        node = parent;
        parent = parent->m_parent;
    }
    return parent->m_parent ? parent : nullptr;
}

// Post-order without a stack: descend to a leaf, cut it off from its parent and reset it, resume at the parent.
void RbTreeCore::clear()
{
    RbTreeNode* node = root();
    while (node) {
        if (node->m_left) {
            node = node->m_left;
            continue;
        }
        if (node->m_right) {
            node = node->m_right;
            continue;
        }
        RbTreeNode* parent = node->m_parent;
        if (parent->m_left == node)
            parent->m_left = nullptr;
        else
            parent->m_right = nullptr;
        node->m_parent = nullptr;
        node->m_red = false;
        node = parent->m_parent ? parent : nullptr;
    }
    m_size = 0;
}

void RbTreeCore::forget_all()
{
    m_header.m_left = nullptr;
    m_size = 0;
}

// Deeper than any red-black tree that fits in memory (height <= 2 log2(n + 1)): a cycle would show up as this.
static constexpr int kMaxCheckedDepth = 2 * 8 * sizeof(usize) + 2;

// Checks the subtree under `node`, whose parent link has been checked, and yields its black height (nulls
// below it counting one) and node count.
const char* RbTreeCore::check_subtree(const RbTreeNode& node, int depth, int& black_height, usize& count)
{
    if (depth > kMaxCheckedDepth)
        return "tree deeper than possible (a cycle?)";
    int heights[2] = { 1, 1 };
    const RbTreeNode* children[2] = { node.m_left, node.m_right };
    for (int side = 0; side < 2; ++side) {
        const RbTreeNode* child = children[side];
        if (!child)
            continue;
        if (child->m_parent != &node)
            return "child's parent link does not point back";
        if (node.m_red && child->m_red)
            return "red node with a red child";
        if (const char* violation = check_subtree(*child, depth + 1, heights[side], count))
            return violation;
    }
    if (heights[0] != heights[1])
        return "black heights differ between siblings";
    black_height = heights[0] + (node.m_red ? 0 : 1);
    ++count;
    return nullptr;
}

const char* RbTreeCore::structure_violation() const
{
    if (m_header.m_parent || m_header.m_right || m_header.m_red)
        return "header node changed";
    RbTreeNode* top = root();
    if (!top)
        return m_size == 0 ? nullptr : "empty tree with a nonzero size";
    if (top->m_parent != &m_header)
        return "root's parent is not the header";
    if (top->m_red)
        return "red root";
    int black_height = 0;
    usize count = 0;
    if (const char* violation = check_subtree(*top, 0, black_height, count))
        return violation;
    if (count != m_size)
        return "size differs from the number of nodes";
    return nullptr;
}
